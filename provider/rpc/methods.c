/*
 * The method table: one row per RPC the server registers. Anything else a
 * client calls (go-plugin's GRPCStdio and GRPCBroker streams, health Watch)
 * is answered UNIMPLEMENTED by the server.
 */
#include <string.h>

#include "rpc/rpc_int.h"

/* Name and request/response descriptors of tfplugin6.Provider/<Name>. */
#define P6(Name, snake)                                                                            \
	.name = "/tfplugin6.Provider/" #Name,                                                      \
	.request = &tfplugin6__##snake##__request__descriptor,                                     \
	.response = &tfplugin6__##snake##__response__descriptor
/* Server-streaming methods whose messages are "Event"s. */
#define P6_EVENTS(Name, snake)                                                                     \
	.name = "/tfplugin6.Provider/" #Name,                                                      \
	.request = &tfplugin6__##snake##__request__descriptor,                                     \
	.response = &tfplugin6__##snake##__event__descriptor, .server_stream = true

// clang-format off
const struct tb_rpc_method tb_rpc_methods[] = {
	{P6(GetMetadata, get_metadata),                          .handler = tb_rpc_get_metadata},
	{P6(GetProviderSchema, get_provider_schema),             .handler = tb_rpc_get_provider_schema},
	{P6(ValidateProviderConfig, validate_provider_config),   .handler = tb_rpc_validate_provider_config},
	{P6(ValidateResourceConfig, validate_resource_config),   .handler = tb_rpc_validate_resource_config},
	{P6(ValidateDataResourceConfig, validate_data_resource_config), .handler = tb_rpc_validate_data_resource_config},
	{P6(UpgradeResourceState, upgrade_resource_state),       .handler = tb_rpc_upgrade_resource_state},
	{P6(GetResourceIdentitySchemas, get_resource_identity_schemas), .handler = tb_rpc_get_identity_schemas},
	{P6(UpgradeResourceIdentity, upgrade_resource_identity), .handler = tb_rpc_upgrade_identity},
	{P6(ConfigureProvider, configure_provider),              .handler = tb_rpc_configure_provider},
	{P6(ReadResource, read_resource),                        .handler = tb_rpc_read_resource},
	{P6(PlanResourceChange, plan_resource_change),           .handler = tb_rpc_plan_resource_change},
	{P6(ApplyResourceChange, apply_resource_change),         .handler = tb_rpc_apply_resource_change},
	{P6(ImportResourceState, import_resource_state),         .handler = tb_rpc_import_resource_state},
	{P6(MoveResourceState, move_resource_state),             .handler = tb_rpc_move_resource_state},
	{P6(ReadDataSource, read_data_source),                   .handler = tb_rpc_read_data_source},
	{P6(GenerateResourceConfig, generate_resource_config),   .handler = tb_rpc_generate_resource_config},
	{P6(ValidateEphemeralResourceConfig, validate_ephemeral_resource_config), .handler = tb_rpc_validate_ephemeral_config},
	{P6(OpenEphemeralResource, open_ephemeral_resource),     .handler = tb_rpc_open_ephemeral},
	{P6(RenewEphemeralResource, renew_ephemeral_resource),   .handler = tb_rpc_renew_ephemeral},
	{P6(CloseEphemeralResource, close_ephemeral_resource),   .handler = tb_rpc_close_ephemeral},
	{P6_EVENTS(ListResource, list_resource),                 .none = "list resource"},
	{P6(ValidateListResourceConfig, validate_list_resource_config), .none = "list resource"},
	{P6(GetFunctions, get_functions),                        .handler = tb_rpc_get_functions},
	{P6(CallFunction, call_function),                        .handler = tb_rpc_call_function},
	{.name = "/tfplugin6.Provider/ValidateStateStoreConfig",
	 .request = &tfplugin6__validate_state_store__request__descriptor,
	 .response = &tfplugin6__validate_state_store__response__descriptor, .none = "state store"},
	{P6(ConfigureStateStore, configure_state_store),         .none = "state store"},
	{P6(ReadStateBytes, read_state_bytes),                   .none = "state store", .server_stream = true},
	{.name = "/tfplugin6.Provider/WriteStateBytes",
	 .request = &tfplugin6__write_state_bytes__request_chunk__descriptor,
	 .response = &tfplugin6__write_state_bytes__response__descriptor, .none = "state store",
	 .client_stream = true},
	{P6(LockState, lock_state),                              .none = "state store"},
	{P6(UnlockState, unlock_state),                          .none = "state store"},
	{P6(GetStates, get_states),                              .none = "state store"},
	{P6(DeleteState, delete_state),                          .none = "state store"},
	{P6(PlanAction, plan_action),                            .none = "action"},
	{P6_EVENTS(InvokeAction, invoke_action),                 .handler = tb_rpc_invoke_action},
	{P6(ValidateActionConfig, validate_action_config),       .none = "action"},
	{P6(StopProvider, stop_provider),                        .handler = tb_rpc_stop_provider},
	{.name = "/plugin.GRPCController/Shutdown", .request = &plugin__empty__descriptor,
	 .response = &plugin__empty__descriptor, .handler = tb_rpc_controller_shutdown, .stop_after = true},
	{.name = "/grpc.health.v1.Health/Check", .request = &grpc__health__v1__health_check_request__descriptor,
	 .response = &grpc__health__v1__health_check_response__descriptor, .handler = tb_rpc_health_check},
	{.name = "/grpc.health.v1.Health/List", .request = &grpc__health__v1__health_list_request__descriptor,
	 .response = &grpc__health__v1__health_list_response__descriptor, .handler = tb_rpc_health_list},
};
// clang-format on

const size_t tb_rpc_n_methods = TB_COUNT(tb_rpc_methods);

/* Returns the row named name, or NULL. */
const struct tb_rpc_method *tb_rpc_method_find(const char *name)
{
	for (size_t i = 0; i < tb_rpc_n_methods; i++) {
		if (strcmp(tb_rpc_methods[i].name, name) == 0)
			return &tb_rpc_methods[i];
	}
	return NULL;
}
