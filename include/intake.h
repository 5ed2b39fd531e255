#ifndef TRIAGED_intake_H
#define TRIAGED_intake_H
#endif
