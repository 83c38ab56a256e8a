/** Live membership changes over server-sent events: replay from the change log, live fan-out, resume. */
package io.segstream.changefeed;
