package io.songmap.audio.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maximum-cardinality bipartite matching (Hopcroft–Karp, after D. Eppstein's formulation) as
 * mir_eval's {@code util._bipartite_match} computes it. The size of a maximum matching is unique, but
 * which pairs are chosen is not, and the average overlap ratio of the transcription metrics depends
 * on the pairs: so the greedy start, the layering and the backward search run in the same order as
 * mir_eval's (insertion-ordered maps standing in for Python dicts).
 */
public final class BipartiteMatching {

    private static final int FIRST_LAYER = -1;

    private BipartiteMatching() {}

    /**
     * @param graph left vertex → its right neighbours, in the order mir_eval builds them
     * @return right vertex → matched left vertex
     */
    public static Map<Integer, Integer> match(LinkedHashMap<Integer, List<Integer>> graph) {
        LinkedHashMap<Integer, Integer> matching = new LinkedHashMap<>();
        for (Map.Entry<Integer, List<Integer>> entry : graph.entrySet()) {
            for (int v : entry.getValue()) {
                if (!matching.containsKey(v)) {
                    matching.put(v, entry.getKey());
                    break;
                }
            }
        }

        while (true) {
            LinkedHashMap<Integer, List<Integer>> preds = new LinkedHashMap<>();
            List<Integer> unmatched = new ArrayList<>();
            LinkedHashMap<Integer, Integer> pred = new LinkedHashMap<>();
            for (int u : graph.keySet()) {
                pred.put(u, FIRST_LAYER);
            }
            for (int u : matching.values()) {
                pred.remove(u);
            }
            List<Integer> layer = new ArrayList<>(pred.keySet());

            while (!layer.isEmpty() && unmatched.isEmpty()) {
                LinkedHashMap<Integer, List<Integer>> newLayer = new LinkedHashMap<>();
                for (int u : layer) {
                    for (int v : graph.get(u)) {
                        if (!preds.containsKey(v)) {
                            newLayer.computeIfAbsent(v, k -> new ArrayList<>()).add(u);
                        }
                    }
                }
                layer = new ArrayList<>();
                for (Map.Entry<Integer, List<Integer>> entry : newLayer.entrySet()) {
                    int v = entry.getKey();
                    preds.put(v, entry.getValue());
                    Integer matched = matching.get(v);
                    if (matched != null) {
                        layer.add(matched);
                        pred.put(matched, v);
                    } else {
                        unmatched.add(v);
                    }
                }
            }

            if (unmatched.isEmpty()) {
                return matching;
            }
            for (int v : unmatched) {
                augment(v, preds, pred, matching);
            }
        }
    }

    private static boolean augment(int v, Map<Integer, List<Integer>> preds, Map<Integer, Integer> pred,
            Map<Integer, Integer> matching) {
        List<Integer> candidates = preds.remove(v);
        if (candidates == null) {
            return false;
        }
        for (int u : candidates) {
            Integer pu = pred.remove(u);
            if (pu != null && (pu == FIRST_LAYER || augment(pu, preds, pred, matching))) {
                matching.put(v, u);
                return true;
            }
        }
        return false;
    }
}
