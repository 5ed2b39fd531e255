/* compose: not written yet */
