/** The demo: simulated activity of the embedded mode's {@code demo} tenant and its example segments, so a new dashboard moves at once. */
package io.segstream.demo;
