/* html: not written yet */
