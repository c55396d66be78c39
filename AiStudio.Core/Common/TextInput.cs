using System.Globalization;
using System.Text;

namespace AiStudio.Core.Common;

/// <summary>
/// The rules every piece of text a person types must meet: a length in characters after trimming, and no
/// control characters. Tab and line breaks are allowed where the text has lines; every script and emoji is.
/// </summary>
public static class TextInput
{
    /// <summary>What is wrong with <paramref name="value"/>, in words for the person, or null when it is fine.</summary>
    public static string? Problem(string label, string? value, int maxLength, bool multiline = false, int minLength = 1)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0)
        {
            return minLength > 0 ? $"{label} is required." : null;
        }

        if (text.Length < minLength)
        {
            return $"{label} must be at least {minLength:N0} characters; write a sentence or two about what you need.";
        }

        if (text.Length > maxLength)
        {
            return $"{label} must be at most {maxLength:N0} characters (it has {text.Length:N0}).";
        }

        return FirstForbidden(text, multiline) is { } bad
            ? $"{label} contains control characters (U+{(int)bad:X4}); remove them{(multiline ? "" : " and keep it on one line")}."
            : null;
    }

    /// <returns>The text, trimmed.</returns>
    /// <exception cref="InputValidationException">Keyed by <paramref name="field"/>.</exception>
    public static string Require(string field, string label, string? value, int maxLength, bool multiline = false, int minLength = 1)
    {
        var problem = Problem(label, value, maxLength, multiline, minLength);
        return problem is null
            ? value?.Trim() ?? ""
            : throw new InputValidationException(new Dictionary<string, string[]> { [field] = [problem] });
    }

    /// <summary>Adds <paramref name="field"/>'s problem, if any, to <paramref name="errors"/>.</summary>
    public static void Check(Dictionary<string, string[]> errors, string field, string label, string? value, int maxLength, bool multiline = false, int minLength = 1)
    {
        if (Problem(label, value, maxLength, multiline, minLength) is { } problem)
        {
            errors[field] = [problem];
        }
    }

    /// <summary>
    /// Text that a form anyone can post puts on record (the name typed into a failed sign-in): trimmed, cut to
    /// <paramref name="maxLength"/>, and each character the rules above refuse written out as its code point
    /// (<c>&lt;U+202E&gt;</c>), so the record shows what was sent but cannot be made to read differently from how it is stored.
    /// </summary>
    public static string ForRecord(string? value, int maxLength)
    {
        var text = value?.Trim() ?? "";
        if (FirstForbidden(text, multiline: false) is not null)
        {
            var visible = new StringBuilder(text.Length + 16);
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    visible.Append(c).Append(text[++i]);
                }
                else if (IsForbidden(c, multiline: false))
                {
                    visible.Append("<U+").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('>');
                }
                else
                {
                    visible.Append(c);
                }
            }

            text = visible.ToString();
        }

        if (text.Length > maxLength)
        {
            // Never keep half of an emoji at the cut.
            text = text[..(char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength)];
        }

        return text;
    }

    // C0/C1 controls and DEL (char.IsControl), the bidirectional overrides and isolates that make text read
    // differently from how it is stored, and halves of a surrogate pair without their other half.
    private static char? FirstForbidden(string text, bool multiline)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (IsForbidden(c, multiline))
            {
                return c;
            }
        }

        return null;
    }

    // A surrogate that reaches here is half a pair: the callers step over whole pairs first.
    private static bool IsForbidden(char c, bool multiline)
    {
        var allowed = multiline && c is '\t' or '\n' or '\r';
        return !allowed && (char.IsControl(c) || char.IsSurrogate(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069');
    }
}
