using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace OrleansSaas.Gateway.Documentation;

/// <summary>The OpenAPI document generated from the endpoints (/openapi/v1.json) and its interactive page (/docs).</summary>
public static class ApiDocumentation
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string PagePath = "/docs";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services) =>
        services.AddOpenApi("v1", options => options.AddSchemaTransformer(Json.StrictNumbers.DescribeInSchema).AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "OrleansSaas API",
                Version = "v1",
                Description = "WhatsApp sessions, messages and events for tenants. Authenticate with an API key in X-Api-Key or Authorization: Bearer.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "A tenant API key (osk_...).",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] });
            return Task.CompletedTask;
        }));

    public static void MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference(PagePath, options => options.WithTitle("OrleansSaas API").WithOpenApiRoutePattern(DocumentPath)).AllowAnonymous();
    }
}
