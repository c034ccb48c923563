package io.dpdm.sample;

/** The image files a synthetic data set is written as (grid.png and manifest.json always are). */
public enum OutputFormat {
    /** png/NNNNNN.png, one file per image, and labels.csv (file,label,class_name). */
    PNG,
    /** idx/: gzipped IDX images and labels under the MNIST file names, and classes.txt. */
    IDX
}
