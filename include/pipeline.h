#ifndef TRIAGED_pipeline_H
#define TRIAGED_pipeline_H
#endif
