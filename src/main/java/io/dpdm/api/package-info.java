/**
 * The Java API of dpdm. {@link io.dpdm.api.Dpdm} runs the whole job ({@link io.dpdm.api.Job},
 * planned to fit its minutes: {@link io.dpdm.api.JobPlan}) or one stage: a preset's
 * {@link io.dpdm.train.TrainConfig}, private training
 * ({@link io.dpdm.train.Trainer.Result}: the run folder and its
 * {@link io.dpdm.model.PrivacyGuarantee}), sampling ({@link io.dpdm.sample.SampleRequest},
 * {@link io.dpdm.sample.SampleService.Result}) and evaluation
 * ({@link io.dpdm.eval.EvaluationRequest}, {@link io.dpdm.eval.Evaluation.Result}).
 *
 * <p>The API is this package plus the records it names (and their nested records:
 * TrainConfig's parts, {@link io.dpdm.sample.SamplerSettings}, {@link io.dpdm.model.ModelCard});
 * {@link io.dpdm.DpdmException} is the one-line failure. Everything else in io.dpdm.* is internal:
 * public for the command line and the tests, and free to change.
 */
package io.dpdm.api;
