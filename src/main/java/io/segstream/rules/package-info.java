/**
 * The segment rule language: a sealed syntax tree read from JSON with validation (JSON pointers,
 * limits), segment references and cycles, and evaluation ({@code matches}, {@code nextChange}) over a
 * contact's facts at a given instant. Pure: no Spring, Reactor, R2DBC or Lettuce, and no clock.
 */
package io.segstream.rules;
