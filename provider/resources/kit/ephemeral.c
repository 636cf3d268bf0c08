/*
 * The ephemeral lifecycle's preamble: the provider must be configured when
 * the type needs AWS; renew and close of a type that has nothing to renew
 * or release answer at once.
 */
#include "resources/kit/kit.h"

/* Open. See provider.h. */
int tb_ephemeral_open(const struct tb_ephemeral *e, struct tb_call *c,
                      const struct tb_value *config, struct tb_ephemeral_result *out)
{
	int err = tb_kit_configured(c, e->needs_aws);

	if (err != 0)
		return err;
	if (e->open == NULL) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Internal error",
		             "Ephemeral resource type \"%s\" cannot be opened.", e->name);
		return TB_EINVAL;
	}
	return e->open(c, config, out);
}

/* Renew. See provider.h. */
int tb_ephemeral_renew(const struct tb_ephemeral *e, struct tb_call *c, const void *priv,
                       size_t len, struct tb_ephemeral_result *out)
{
	int err;

	if (e->renew == NULL)
		return 0;
	err = tb_kit_configured(c, e->needs_aws);
	return err == 0 ? e->renew(c, priv, len, out) : err;
}

/* Close. See provider.h. */
int tb_ephemeral_close(const struct tb_ephemeral *e, struct tb_call *c, const void *priv,
                       size_t len)
{
	int err;

	if (e->close == NULL)
		return 0;
	err = tb_kit_configured(c, e->needs_aws);
	return err == 0 ? e->close(c, priv, len) : err;
}
