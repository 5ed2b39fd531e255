#ifndef TRIAGED_ticket_H
#define TRIAGED_ticket_H
#endif
