using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using AiStudio.Web.Api;
using AiStudio.Web.Artifacts;
using AiStudio.Web.Billing;
using AiStudio.Web.Components;
using AiStudio.Web.Components.Account;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;

namespace AiStudio.Web;

public static class DependencyInjection
{
    public static IHostApplicationBuilder AddAiStudioWeb(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();

        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAuthorization();

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                // No email sender is configured by default, so an account is usable as soon as it is made.
                options.SignIn.RequireConfirmedAccount = false;
                options.Password.RequiredLength = 8;
                options.Lockout.MaxFailedAccessAttempts = 5;
                IdentitySchema.Configure(options);
            })
            .AddEntityFrameworkStores<AiStudioDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddSingleton<IEmailSender<ApplicationUser>, IdentityNoOpEmailSender>();

        services.AddSingleton<ActorFactory>();
        services.AddScoped<CurrentActor>();
        services.AddSingleton<MarkdownRenderer>();
        services.AddAiStudioApi();
        return builder;
    }

    public static WebApplication UseAiStudioWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        app.MapAiStudioApi();
        app.MapArtifactEndpoints();
        app.MapBillingEndpoints();
        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
        return app;
    }
}
