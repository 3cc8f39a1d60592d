package dev.tracelet.faults;

import java.util.List;
import java.util.Map;

/**
 * What a server holds for one run, read back the way the real server would answer: the stored
 * values of each metric by step, parameters and tags.
 *
 * @param points metric name to step to the values stored for that step (exactly one is right)
 * @param finished whether the run was ended as finished
 * @param resendsAbsorbed points the server received more than once and, like the real server,
 *     stored once (reported, not a failure)
 */
record RunContents(
    Map<String, Map<Long, List<Double>>> points,
    Map<String, String> params,
    Map<String, String> tags,
    boolean finished,
    int resendsAbsorbed) {}
