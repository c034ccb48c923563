/**
 * Image data sets: loading (embedded Fashion-MNIST and MNIST with sha256 checks, IDX files plain
 * or gzipped, folders of PNG/JPEG images with one sub-folder per class), compact uint8 storage
 * ({@link io.dpdm.data.ImageSplit}), conversion of batches to [-1, 1] float tensors, writing IDX
 * ({@link io.dpdm.data.IdxWriter}) and labelled PNG grids ({@link io.dpdm.data.ImageGrid}), and a
 * public digit set drawn from fonts ({@link io.dpdm.data.RenderedDigits}).
 * Entry point: {@link io.dpdm.data.Datasets#open(String, io.dpdm.data.LoadOptions)}. Every input
 * defect is a {@link io.dpdm.data.DataException} whose one-line message names the file. Only
 * {@link io.dpdm.data.ImageSplit#images} and {@link io.dpdm.data.ImageSplit#labels} touch DJL.
 */
package io.dpdm.data;
