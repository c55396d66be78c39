namespace AiStudio.Web.Components.Account;

/// <summary>
/// <c>Sessions:*</c>. How soon a signed-in browser notices that its session was ended elsewhere: a password change,
/// an administrator's Lock or Remove admin, a new authenticator. Each of those gives the account a new security stamp,
/// and a session whose cookie carries the old stamp is signed out at its next check.
/// </summary>
public sealed class SessionSettings
{
    public const string Section = "Sessions";

    /// <summary>Seconds between checks of a cookie's stamp; 0 checks it on every request (one small query).</summary>
    public int CookieCheckSeconds { get; set; }

    /// <summary>Seconds between checks of an open interactive page (its circuit), which sends no further requests.</summary>
    public int CircuitCheckSeconds { get; set; } = 5;
}
