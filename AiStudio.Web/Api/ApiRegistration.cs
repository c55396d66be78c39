using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;

namespace AiStudio.Web.Api;

public static class ApiRegistration
{
    public const string Policy = "ApiToken";

    public static IServiceCollection AddAiStudioApi(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, displayName: "API token", configureOptions: null);

        // Only the token counts on /api: the cookie neither grants access (no CSRF through a signed-in browser) nor redirects.
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());

        // Unreadable bodies and parameters become problems that say what is wrong (ApiProblems), in every environment.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer<ApiTokenSecuritySchemeTransformer>();
        });
        return services;
    }

    public static WebApplication MapAiStudioApi(this WebApplication app)
    {
        app.UseApiProblems();
        app.MapOpenApi();
        app.MapGroup("/api")
            .RequireAuthorization(Policy)
            .AddEndpointFilter(ApiProblems.MapDomainExceptions)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .MapBuildEndpoints();
        return app;
    }
}
