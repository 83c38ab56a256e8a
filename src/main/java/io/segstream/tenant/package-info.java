/** Tenants, API keys and authentication: who is calling, for which tenant, with which scopes. */
package io.segstream.tenant;
