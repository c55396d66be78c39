using AiStudio.Core.Identity;
using AiStudio.Web.Api;
using AiStudio.Web.Artifacts;
using AiStudio.Web.Audit;
using AiStudio.Web.Billing;
using AiStudio.Web.Components;
using AiStudio.Web.Components.Account;
using AiStudio.Web.Email;
using AiStudio.Web.Infrastructure;
using AiStudio.Web.Observability;
using AiStudio.Web.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace AiStudio.Web;

public static class DependencyInjection
{
    public static IHostApplicationBuilder AddAiStudioWeb(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // A text field sends its whole value on every change: room for the longest text the input rules allow.
        services.AddRazorComponents().AddInteractiveServerComponents().AddHubOptions(hub => hub.MaximumReceiveMessageSize = 1024 * 1024);
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

        // Identity checks a cookie's security stamp every 30 minutes by default: a browser signed in elsewhere would
        // outlive a password change or an administrator's Lock for that long. Here it is checked on every request.
        services.Configure<SessionSettings>(builder.Configuration.GetSection(SessionSettings.Section));
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<SessionSettings>>((options, sessions) =>
            options.ValidationInterval = TimeSpan.FromSeconds(Math.Max(0, sessions.Value.CookieCheckSeconds)));
        services.AddAuthorization();

        // Core registers the user and role managers and the account rules (AddAiStudioCore); the web app adds
        // sign-in and email tokens. With an SMTP server, an account is usable once its email is confirmed;
        // without one, no email can arrive, so sign-up confirms at once.
        var sendsEmail = services.AddAccountEmail(builder.Configuration);
        services.Configure<IdentityOptions>(options => options.SignIn.RequireConfirmedAccount = sendsEmail);
        new IdentityBuilder(typeof(ApplicationUser), typeof(IdentityRole), services)
            .AddSignInManager<AiStudioSignInManager>()
            .AddDefaultTokenProviders();

        services.AddSingleton<ActorFactory>();
        services.AddScoped<CurrentActor>();
        services.AddSingleton<MarkdownRenderer>();
        services.AddAiStudioApi();
        builder.AddAiStudioObservability();
        builder.AddAiStudioSecurity();
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

        // Written out, since the host would otherwise put authentication first: the limits go by the endpoint that
        // routing chose, and a flood is turned away before any cookie or token is looked up.
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        app.MapAiStudioApi();
        app.MapArtifactEndpoints();
        app.MapAuditEndpoints();
        app.MapBillingEndpoints();
        app.MapAiStudioHealthChecks();
        return app;
    }
}
