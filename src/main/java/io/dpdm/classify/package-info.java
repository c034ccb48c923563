/**
 * The DPDM paper's downstream classifiers (LogReg, MLP, CNN) on the {@code nn} layers, their
 * per-example cross-entropy, and a trainer that runs them non-privately or with DP-SGD, with
 * epoch selection on a held-out validation split, accuracy overall and per class, penultimate
 * features and save/load.
 */
package io.dpdm.classify;
