package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dpdm.diffusion.NoiseDistribution;
import io.dpdm.diffusion.Preconditioning;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Settings are plain records that round-trip through JSON and YAML with a "type" name. */
class SettingsJsonTest {
    private static final List<ObjectMapper> MAPPERS = List.of(new ObjectMapper(), new ObjectMapper(new YAMLFactory()));

    private static <T> void roundTrip(T value, Class<T> type) throws Exception {
        for (ObjectMapper mapper : MAPPERS) {
            assertEquals(value, mapper.readValue(mapper.writeValueAsString(value), type));
        }
    }

    @Test
    void preconditioningsRoundTrip() throws Exception {
        for (Preconditioning p : List.of(new Preconditioning.Edm(0.5), new Preconditioning.Edm(),
                new Preconditioning.VPrediction(), new Preconditioning.Vp(), new Preconditioning.Ve())) {
            roundTrip(p, Preconditioning.class);
        }
        assertEquals(new Preconditioning.Edm(0.5),
                new ObjectMapper().readValue("{\"type\":\"edm\",\"sigmaData\":0.5}", Preconditioning.class));
    }

    @Test
    void noiseDistributionsRoundTrip() throws Exception {
        NoiseDistribution mixture = NoiseDistribution.Mixture.highNoiseBiased(
                new NoiseDistribution.LogNormal(-1.2, 1.2), 0.25, 1, 80);
        for (NoiseDistribution d : List.of(mixture, new NoiseDistribution.LogSnrUniform(13, -9),
                new NoiseDistribution.VpTime(19.9, 0.1, 1e-5))) {
            roundTrip(d, NoiseDistribution.class);
        }
    }

    @Test
    void samplerSettingsRoundTrip() throws Exception {
        roundTrip(new SamplerSettings(NoiseGrid.edm(1000),
                new Solver.Stochastic(100, 0.05, 50, 1, Solver.Stochastic.DPDM_GAMMA_MAX), 0.5), SamplerSettings.class);
        roundTrip(new SamplerSettings(new NoiseGrid(0.01, 50, 5, 30), new Solver.Euler(), 0), SamplerSettings.class);
        String json = new ObjectMapper().writeValueAsString(new SamplerSettings(NoiseGrid.edm(18), new Solver.Heun(), 0));
        assertTrue(json.contains("\"type\":\"heun\""), json);
    }
}
