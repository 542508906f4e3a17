using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansSaas.Gateway.Audit;
using OrleansSaas.Gateway.Cluster;
using OrleansSaas.Gateway.Tenants;

namespace OrleansSaas.Gateway.Admin;

/// <summary>The operators' API under /v1/admin, behind the admin key.</summary>
public static class AdminApi
{
    public const string Prefix = "/v1/admin";
    private const string SecuritySchemeId = "adminKey";
    // The document that Documentation/ApiDocumentation.cs registers.
    private const string DocumentName = "v1";

    /// <summary>The admin key scheme, the policy that admin routes require, and their security in the OpenAPI document.</summary>
    public static IServiceCollection AddAdminAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section))
            .Validate(o => !o.Enabled || o.ApiKey!.Length >= AdminOptions.MinimumKeyLength,
                $"{AdminOptions.Section}:{nameof(AdminOptions.ApiKey)} must be at least {AdminOptions.MinimumKeyLength} characters (or unset to disable the admin API).")
            .ValidateOnStart();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AdminKeyAuthenticationHandler.SchemeName, null);
        // Naming the scheme makes authorization use only the admin key's answer, whatever the default scheme found.
        services.AddAuthorizationBuilder().AddPolicy(AdminKeyAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(AdminKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireRole(AdminKeyAuthenticationHandler.Role));
        services.Configure<OpenApiOptions>(DocumentName, o => o.AddDocumentTransformer((document, _, _) =>
        {
            DescribeAdminSecurity(document);
            return Task.CompletedTask;
        }));
        return services;
    }

    public static RouteGroupBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(Prefix).RequireAuthorization(AdminKeyAuthenticationHandler.Policy).ProducesProblem(401).ProducesProblem(503).WithAudit();
        admin.MapTenantAdminEndpoints();
        admin.MapClusterAdminEndpoints();
        admin.MapClusterOperationEndpoints();
        admin.MapAuditAdminEndpoints();
        admin.MapAdminKeyEndpoints();
        return admin;
    }

    // Admin routes take the admin key, not the tenant API key the document requires everywhere else.
    private static void DescribeAdminSecurity(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecuritySchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Admin-Key",
            Description = "An operator's named admin key (POST /v1/admin/keys) or the bootstrap key (setting Admin:ApiKey); also accepted as Authorization: Bearer.",
        };
        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeId, document)] = [] };
        foreach (var (path, item) in document.Paths)
        {
            if (!path.StartsWith(Prefix + "/", StringComparison.Ordinal) || item.Operations is null) continue;
            foreach (var operation in item.Operations.Values) operation.Security = [requirement];
        }
    }
}
