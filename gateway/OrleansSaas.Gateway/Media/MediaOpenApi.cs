using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using OrleansSaas.Data.Media;

namespace OrleansSaas.Gateway.Media;

public static class MediaOpenApi
{
    /// <summary>
    /// Documents the multipart body the upload handler reads itself. (Accepts metadata would do it too, but would
    /// also make routing answer a non-multipart request with a bare 415 instead of a 400 naming the field.)
    /// </summary>
    public static RouteHandlerBuilder DescribeUploadForm(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Required = new HashSet<string> { "file" },
                            Properties = new Dictionary<string, IOpenApiSchema>
                            {
                                ["file"] = new OpenApiSchema
                                {
                                    Type = JsonSchemaType.String, Format = "binary",
                                    Description = "The file. Its bytes decide its type; a declared Content-Type must agree with them.",
                                },
                                ["kind"] = new OpenApiSchema
                                {
                                    Type = JsonSchemaType.String,
                                    Enum = [.. Enum.GetValues<MediaKind>().Select(k => JsonValue.Create(k.ToDb()))],
                                    Description = "How the file will be sent; inferred from its type when absent (WebP: sticker).",
                                },
                            },
                        },
                    },
                },
            };
            return Task.CompletedTask;
        });
}
