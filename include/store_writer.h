#ifndef TRIAGED_store_writer_H
#define TRIAGED_store_writer_H
#endif
