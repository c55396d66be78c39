using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AiStudio.Web.Api;

/// <summary>Describes the bearer API token in the OpenAPI document, so that clients and generators send it.</summary>
internal sealed class ApiTokenSecuritySchemeTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "AiStudio API";
        document.Info.Description = "Start builds, read their status and prompts, and decide on phases. "
            + "Authenticate with a personal API token (Account → API tokens): `Authorization: Bearer ast_…`.";

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiTokenAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "ast_ + 43 base64url characters",
            Description = "A personal API token created on the API tokens page; it acts with your permissions until revoked.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiTokenAuthenticationHandler.SchemeName, document)] = [],
        });
        return Task.CompletedTask;
    }
}
