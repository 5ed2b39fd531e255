/* dedupe: not written yet */
