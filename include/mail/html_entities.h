/*
 * html_entities: the HTML5 named character references, for what
 * libxml2's HTML 4 parser leaves undecoded (html.c).
 */
#ifndef TRIAGED_HTML_ENTITIES_H
#define TRIAGED_HTML_ENTITIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name of the list ("CounterClockwiseContourIntegral"). */
#define HTML_ENTITY_NAME_MAX	32

/*
 * The code points of the reference name[0..len) ("amp", no '&' nor ';')
 * into cp: 1 or 2 of them, or 0 if the name is unknown, or it lacks its
 * semicolon (semicolon false) and is not one of the legacy names valid
 * without one ("copy", "amp", ...).
 */
int	html_entity_find(const char *name, size_t len, bool semicolon,
	    uint32_t cp[2]);

#endif
