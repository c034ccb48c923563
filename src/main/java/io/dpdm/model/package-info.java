/**
 * A trained model as it is saved and released: its card (network, preconditioning, classes,
 * privacy guarantee, provenance) and weights. Written by training, read by sampling; contains
 * nothing about the private data that DP does not cover.
 */
package io.dpdm.model;
