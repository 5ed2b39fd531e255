/* threading: not written yet */
