/**
 * The CoBa client: "give me the weights for the next step". {@link dev.coba.client.CobaClient}
 * is the one interface; {@link dev.coba.client.CobaClient#remote} talks to the sidecar over
 * HTTP (time limit, retries, circuit breaker, replay buffer), {@link
 * dev.coba.client.CobaClient#inProcess} runs the core library directly. Nothing here is
 * null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.coba.client;

import org.jspecify.annotations.NullMarked;
