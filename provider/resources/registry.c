/*
 * The provider's resource and data source types: one row per type, sorted
 * by name. Adding one is a folder and one row here.
 */
#include <string.h>

#include "tb/provider.h"

const struct tb_resource *const tb_resources[] = {
    &tb_resource_service,
    NULL,
};

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

/* ---- data sources ---------------------------------------------------------------- */

const struct tb_data_source *const tb_data_sources[] = {
    &tb_data_source_platform,
    NULL,
};

/* Returns the data source type called name, or NULL. */
const struct tb_data_source *tb_data_source_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; tb_data_sources[i] != NULL; i++) {
		if (strcmp(tb_data_sources[i]->name, name) == 0)
			return tb_data_sources[i];
	}
	return NULL;
}
