/**
 * An example third-party Tracelet backend: one JSON-lines file per run. Built on its own, against
 * the published {@code tracelet-api}, and tested with {@code tracelet-testkit}'s compatibility kit.
 */
package com.example.tracelet.jsonl;
