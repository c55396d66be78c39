using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.CookiePolicy;

namespace AiStudio.Web.Security;

public static class SecurityRegistration
{
    public static IHostApplicationBuilder AddAiStudioSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddTransient<IStartupFilter, SecurityStartupFilter>();
        services.AddAiStudioRateLimits(builder.Configuration);
        services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        services.AddSingleton<HttpClientCallLogger>();
        services.ConfigureHttpClientDefaults(http => http.RemoveAllLoggers().AddLogger<HttpClientCallLogger>());

        // Every cookie, the framework's and any later one: no script can read it, no other site's request carries it,
        // and over HTTPS it never travels in the clear. Plain http stays usable for local development (SameAsRequest).
        services.Configure<CookiePolicyOptions>(options =>
        {
            options.HttpOnly = HttpOnlyPolicy.Always;
            options.MinimumSameSitePolicy = SameSiteMode.Lax;
            options.Secure = CookieSecurePolicy.SameAsRequest;
        });
        services.Configure<AntiforgeryOptions>(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.PostConfigureAll<CookieAuthenticationOptions>(options =>
        {
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            if (options.Cookie.SameSite is SameSiteMode.None or SameSiteMode.Unspecified)
            {
                options.Cookie.SameSite = SameSiteMode.Lax;
            }
        });
        return builder;
    }

    /// <summary>
    /// A startup filter puts these in front of the whole pipeline: a 401 from the API, an error page and a rejected
    /// request carry the headers too. (The rate limiter needs the endpoint, so it runs right after routing instead.)
    /// </summary>
    private sealed class SecurityStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseSecurityHeaders();
            app.UseCookiePolicy();
            next(app);
        };
    }
}
