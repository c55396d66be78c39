// Loads the vendored mermaid.min.js once (it defines window.mermaid) and draws the diagram into the element.
let loading;

function loadMermaid(src) {
    if (window.mermaid) {
        return Promise.resolve(window.mermaid);
    }

    loading ??= new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = src;
        script.onload = () => resolve(window.mermaid);
        script.onerror = () => reject(new Error(`could not load ${src}`));
        document.head.appendChild(script);
    });
    return loading;
}

export async function renderDiagram(element, text, src) {
    const mermaid = await loadMermaid(src);
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
    const { svg } = await mermaid.render(`pipeline-diagram-${Date.now()}`, text);
    element.innerHTML = svg;
}
