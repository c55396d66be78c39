// Highlights the code blocks that Markdig renders (<pre><code class="language-xyz">) inside one element.
// Safe to call after every render: a block is highlighted again only when Blazor has replaced its text.
(function () {
    "use strict";

    // Guessing the language of a long block without a class is slow and rarely right; leave those plain.
    var autoDetectLimit = 20000;

    function highlightBlock(block) {
        var text = block.textContent;
        if (block.dataset.highlighted === "yes" && block.aiStudioHighlightedText === text) {
            return;
        }

        delete block.dataset.highlighted;
        var hasLanguage = /\blanguage-\S+/.test(block.className);
        if (!hasLanguage && text.length > autoDetectLimit) {
            return;
        }

        try {
            window.hljs.highlightElement(block);
            block.aiStudioHighlightedText = block.textContent;
        } catch (error) {
            console.warn("Code highlighting failed for a block; it stays plain.", error);
        }
    }

    window.aiStudioHighlight = function (element) {
        if (!window.hljs || !element || typeof element.querySelectorAll !== "function") {
            return;
        }

        var blocks = element.querySelectorAll("pre code");
        for (var i = 0; i < blocks.length; i++) {
            highlightBlock(blocks[i]);
        }
    };

    if (window.hljs) {
        // Markdig already escapes the text it puts in code blocks; the warning would only be noise.
        window.hljs.configure({ ignoreUnescapedHTML: true });
    }
})();
