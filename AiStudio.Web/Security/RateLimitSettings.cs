namespace AiStudio.Web.Security;

/// <summary>One fixed window: at most <see cref="PermitLimit"/> requests per <see cref="WindowSeconds"/> for one partition.</summary>
public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }
    public int WindowSeconds { get; set; } = 60;
}

/// <summary><c>RateLimits:*</c>. Sign-in, sign-up and the account emails count per client address, the API per token, the webhook per address.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    public RateLimitRule SignIn { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };
    public RateLimitRule SignUp { get; set; } = new() { PermitLimit = 5, WindowSeconds = 600 };

    /// <summary>The forms that email whatever address is typed in: each post may send a message to someone.</summary>
    public RateLimitRule AccountEmail { get; set; } = new() { PermitLimit = 5, WindowSeconds = 600 };
    public RateLimitRule Api { get; set; } = new() { PermitLimit = 120, WindowSeconds = 60 };
    public RateLimitRule Webhook { get; set; } = new() { PermitLimit = 300, WindowSeconds = 60 };
}
