/*
 * The provider's resource, ephemeral resource and data source types: one
 * row each, sorted by name. Adding one is a folder and one row here.
 */
#include <string.h>

#include "tb/provider.h"

/* clang-format off */
const struct tb_resource *const tb_resources[] = {
    &tb_resource_alarm_set,
    &tb_resource_database_proxy,
    &tb_resource_parameter,
    &tb_resource_secret,
    &tb_resource_service,
    NULL,
};

const struct tb_ephemeral *const tb_ephemerals[] = {
    &tb_ephemeral_secret,
    NULL,
};
/* clang-format on */

/* Returns the resource type called name, or NULL. */
const struct tb_resource *tb_resource_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; tb_resources[i] != NULL; i++) {
		if (strcmp(tb_resources[i]->name, name) == 0)
			return tb_resources[i];
	}
	return NULL;
}

/* Returns the ephemeral resource type called name, or NULL. */
const struct tb_ephemeral *tb_ephemeral_find(const char *name)
{
	for (size_t i = 0; name != NULL && tb_ephemerals[i] != NULL; i++) {
		if (strcmp(tb_ephemerals[i]->name, name) == 0)
			return tb_ephemerals[i];
	}
	return NULL;
}

/* ---- data sources ---------------------------------------------------------------- */

const struct tb_data_source *const tb_data_sources[] = {
    &tb_data_source_platform,
    NULL,
};

/* Returns the data source type called name, or NULL. */
const struct tb_data_source *tb_data_source_find(const char *name)
{
	for (size_t i = 0; name != NULL && tb_data_sources[i] != NULL; i++) {
		if (strcmp(tb_data_sources[i]->name, name) == 0)
			return tb_data_sources[i];
	}
	return NULL;
}
