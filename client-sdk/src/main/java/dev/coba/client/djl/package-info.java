/** CoBa for a DJL trainer: one {@link dev.coba.client.djl.CobaTrainingListener}. Needs ai.djl:api on the class path. */
@NullMarked
package dev.coba.client.djl;

import org.jspecify.annotations.NullMarked;
