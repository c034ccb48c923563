/**
 * Sampling from a trained denoiser (Karras et al. 2022, "EDM", sec. 3-4 and Algorithms 1-2; the
 * DPDM reference samplers): the EDM noise grid, four solvers (Euler on the probability-flow ODE,
 * Euler-Maruyama on the reverse SDE, Heun, and Heun with stochastic "churn"), classifier-free
 * guidance, and a batched driver in which every image draws its noise from its own seeded
 * generator, so an image reproduces whatever the batch size or the other images.
 */
package io.dpdm.sample;
