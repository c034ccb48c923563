/**
 * Evaluation of synthetic image sets, independent of any network: everything here takes plain
 * arrays (feature matrices n x d, images as float values in [-1, 1], int labels) so that data
 * loaders, feature extractors and downstream classifiers can be wired in by the caller.
 *
 * <ul>
 *   <li>{@link io.dpdm.eval.GaussianStats} and {@link io.dpdm.eval.FrechetDistance}: the exact
 *       Frechet distance between Gaussians fitted to two feature sets (the formula behind FID;
 *       named for the feature space it is computed in, never "FID" unless the features are the
 *       standard InceptionV3 ones).
 *   <li>{@link io.dpdm.eval.NearestNeighbours} and {@link io.dpdm.eval.MemorisationAudit}: for
 *       every synthetic image, its nearest training image, compared with the same distances
 *       of real held-out images (the reference for how close an unseen image naturally is).
 *   <li>{@link io.dpdm.eval.ReportData}, {@link io.dpdm.eval.ReportWriter}: the evaluation
 *       report as {@code report.json} and a self-contained {@code report.html};
 *       {@link io.dpdm.eval.PublishedResults}: the DPDM paper's figures to compare against.
 * </ul>
 */
package io.dpdm.eval;
