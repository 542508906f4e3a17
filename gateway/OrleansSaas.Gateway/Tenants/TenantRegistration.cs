using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSaas.Data.Tenants;
using OrleansSaas.Gateway.Admin;

namespace OrleansSaas.Gateway.Tenants;

public static class TenantRegistration
{
    /// <summary>The admin API's authentication and the stores its tenant and key listings read.</summary>
    public static IServiceCollection AddTenantAdministration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdminAuthentication(configuration);
        services.TryAddSingleton<TenantStore>();
        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddSingleton<OrleansSaas.Data.Admin.AdminKeyStore>();
        return services;
    }
}
