/* pipeline: not written yet */
