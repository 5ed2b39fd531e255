/* mime: not written yet */
