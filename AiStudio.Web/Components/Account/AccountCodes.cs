using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace AiStudio.Web.Components.Account;

internal static class AccountCodes
{
    /// <summary>
    /// The token carried by an emailed link, or null when the link's code is not Base64Url: a link cut short or typed
    /// by hand is an invalid link, not a server error.
    /// </summary>
    public static string? Decode(string? code)
    {
        if (code is null)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
