#ifndef TRIAGED_threading_H
#define TRIAGED_threading_H
#endif
