package io.dpdm.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every vector of shared/vectors/accounting.json, at the tolerance it gives. */
class ReferenceVectorTest {
    private static final JsonNode V = ReferenceVectors.load();

    @TestFactory
    List<DynamicTest> rdpEpsilon() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : V.get("rdp_epsilon")) {
            tests.add(DynamicTest.dynamicTest(v.toString(), () -> {
                RdpAccountant rdp = new RdpAccountant(ReferenceVectors.orders(v.get("orders").asText()));
                PrivacyResult r = rdp.epsilon(v.get("q").asDouble(), v.get("sigma").asDouble(), v.get("T").asLong(),
                        v.get("delta").asDouble());
                assertEquals(v.get("epsilon").asDouble(), r.epsilon(), v.get("tolerance").asDouble());
                assertEquals(v.get("best_order").asDouble(), r.optimalOrder(), 1e-12);
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> rdpPerOrder() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : V.get("rdp_per_order")) {
            for (int k = 0; k < v.get("orders").size(); k++) {
                double order = v.get("orders").get(k).asDouble();
                double expected = v.get("rdp").get(k).asDouble();
                tests.add(DynamicTest.dynamicTest("order " + order + " of " + v, () -> {
                    double got = v.get("T").asLong() * RdpAccountant.rdp(v.get("q").asDouble(),
                            v.get("sigma").asDouble(), order);
                    assertEquals(expected, got, v.get("relative_tolerance").asDouble() * expected);
                }));
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> prvEpsilonUpper() {
        JsonNode block = V.get("prv_epsilon_upper");
        double delta = block.get("delta").asDouble();
        double tol = block.get("tolerance").asDouble();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : block.get("values")) {
            tests.add(DynamicTest.dynamicTest(v.toString(), () -> {
                PrivacyResult r = new PrvAccountant().epsilon(v.get("q").asDouble(), v.get("sigma").asDouble(),
                        v.get("T").asLong(), delta);
                assertEquals("prv", r.accountant(), r.note());
                assertEquals(v.get("epsilon").asDouble(), r.epsilon(), tol);
            }));
        }
        JsonNode o = V.get("prv_epsilon_upper_opacus_test");
        tests.add(DynamicTest.dynamicTest(o.toString(), () -> {
            PrivacyResult r = new PrvAccountant().epsilon(o.get("q").asDouble(), o.get("sigma").asDouble(),
                    o.get("T").asLong(), o.get("delta").asDouble());
            assertEquals(o.get("epsilon").asDouble(), r.epsilon(), o.get("tolerance").asDouble());
        }));
        return tests;
    }

    @TestFactory
    List<DynamicTest> noiseMultiplier() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : V.get("noise_multiplier")) {
            tests.add(DynamicTest.dynamicTest(v.toString(), () -> {
                double sigma = NoiseCalibration.noiseMultiplier(Accountants.byName(v.get("accountant").asText()),
                        v.get("epsilon").asDouble(), v.get("delta").asDouble(), v.get("q").asDouble(),
                        v.get("T").asLong());
                assertEquals(v.get("sigma").asDouble(), sigma, v.get("tolerance").asDouble());
            }));
        }
        return tests;
    }
}
