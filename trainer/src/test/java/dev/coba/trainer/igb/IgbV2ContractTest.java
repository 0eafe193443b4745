package dev.coba.trainer.igb;

import dev.coba.core.testing.MethodContract;
import dev.coba.core.testing.RandomHistories;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * igbv2 under core's method contract ({@link MethodContract}, from core's test jar): its
 * provider's methods with IgbV2Test's small, fast agent, a drawn seed and a buffer of 50, on 1 to
 * 5 tasks and 120 to 160 reports, so that the late restore falls after the agent's first updates
 * with the buffer full; two runs, as each trains networks. Not permutation-equivariant (see
 * {@link IgbV2}).
 */
class IgbV2ContractTest extends MethodContract {

  @Override
  protected Stream<Profile> profiles() {
    return Profile.of(new IgbV2Provider())
        .map(
            p ->
                p.withoutPermutation()
                    .withRuns(2)
                    .withHistories(
                        rnd ->
                            RandomHistories.METHODS.history(
                                rnd, 1 + rnd.nextInt(5), 120 + rnd.nextInt(41)))
                    .withParams(
                        rnd -> {
                          Map<String, Object> params = new LinkedHashMap<>(IgbV2Test.FAST);
                          params.put("bufferSize", 50);
                          params.put("seed", rnd.nextInt(1000));
                          return params;
                        }));
  }
}
