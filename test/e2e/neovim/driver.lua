-- Drives Neovim's own LSP client (vim.lsp, Neovim 0.7+) against `lockstep lsp --stdio` for test/e2e/neovim.e2e.ts:
--
--   LOCKSTEP_E2E_SPEC=spec.json nvim --headless -u NONE -i NONE -n -c 'luafile driver.lua'
--
-- The spec names the server command, the files to open, and the requests to send once their diagnostics are in;
-- the result (diagnostics as vim.diagnostic holds them, raw request results, the server's capabilities and exit)
-- is written as JSON to spec.output. Neovim always quits: :cquit when anything failed, with the error in the result.
-- A new check (code actions, …) is one more entry in spec.requests, not a change here.
local result = { diagnostics = {}, publishCounts = {}, requests = {}, fixes = {} }
local spec

local function write_result()
  vim.fn.writefile({ vim.fn.json_encode(result) }, spec.output)
end

local function deadline_wait(deadline, what, condition)
  local remaining = deadline - vim.loop.now()
  if remaining <= 0 or not vim.wait(remaining, condition, 20) then
    error(string.format('timed out after %d ms waiting for %s', spec.timeoutMs, what), 0)
  end
end

local function main()
  spec = vim.fn.json_decode(vim.fn.readfile(os.getenv('LOCKSTEP_E2E_SPEC')))
  local deadline = vim.loop.now() + spec.timeoutMs
  local version = vim.version()
  result.nvimVersion = string.format('%d.%d.%d', version.major, version.minor, version.patch)

  local exited = nil
  local client_id = vim.lsp.start_client({
    name = 'lockstep',
    cmd = spec.cmd,
    root_dir = spec.rootDir,
    init_options = spec.initOptions,
    handlers = {
      -- Counted so that a file whose findings are empty is still known to be analyzed.
      ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
        result.publishCounts[params.uri] = (result.publishCounts[params.uri] or 0) + 1
        return vim.lsp.diagnostic.on_publish_diagnostics(err, params, ctx, config)
      end,
    },
    on_exit = function(code, signal)
      exited = { code = code, signal = signal }
    end,
  })
  if client_id == nil then
    error('vim.lsp.start_client returned nil for ' .. table.concat(spec.cmd, ' '), 0)
  end
  local client = vim.lsp.get_client_by_id(client_id)
  deadline_wait(deadline, 'the initialize response', function()
    return client.initialized or exited ~= nil
  end)
  if exited ~= nil then
    error(string.format('the server exited during initialize (code %s, signal %s)', exited.code, exited.signal), 0)
  end
  result.serverCapabilities = client.server_capabilities

  local buffers = {}
  for _, path in ipairs(spec.files) do
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
    local bufnr = vim.api.nvim_get_current_buf()
    -- -u NONE turns filetype detection off; the languageId sent in didOpen comes from 'filetype'.
    vim.bo[bufnr].filetype = 'sql'
    vim.lsp.buf_attach_client(bufnr, client_id)
    buffers[path] = bufnr
  end
  for path, bufnr in pairs(buffers) do
    local uri = vim.uri_from_bufnr(bufnr)
    deadline_wait(deadline, 'diagnostics for ' .. path, function()
      return (result.publishCounts[uri] or 0) > 0
    end)
  end
  for path, bufnr in pairs(buffers) do
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local lsp = (d.user_data or {}).lsp or {}
      table.insert(list, {
        lnum = d.lnum,
        col = d.col,
        end_lnum = d.end_lnum,
        end_col = d.end_col,
        severity = d.severity,
        message = d.message,
        source = d.source,
        code = d.code or lsp.code,
        codeDescription = lsp.codeDescription,
      })
    end
    result.diagnostics[path] = list
  end

  for _, request in ipairs(spec.requests) do
    local bufnr = buffers[request.file]
    if bufnr == nil then error('request for a file that is not open: ' .. request.file, 0) end
    local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = request.position, range = request.range }
    local remaining = math.max(deadline - vim.loop.now(), 1)
    local response, reason = client.request_sync(request.method, params, remaining, bufnr)
    table.insert(result.requests, {
      method = request.method,
      file = request.file,
      position = request.position,
      range = request.range,
      result = response and response.result or vim.NIL,
      error = response and response.err or (response == nil and (reason or 'no response') or vim.NIL),
    })
  end

  -- A quick fix as a user applies one: the diagnostic's code actions, the preferred one applied by Neovim's own
  -- vim.lsp.util.apply_workspace_edit (CreateFile included), then every changed buffer written.
  for _, fix in ipairs(spec.fixes or {}) do
    local bufnr = buffers[fix.file]
    if bufnr == nil then error('fix for a file that is not open: ' .. fix.file, 0) end
    -- Neovim 0.7 keeps only code/codeDescription of the LSP diagnostic, so it is rebuilt from vim.diagnostic's
    -- fields. Its columns are bytes: the fix's file must be ASCII, where bytes and UTF-16 units agree.
    local diagnostic = nil
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local lsp = (d.user_data or {}).lsp or {}
      if (d.code or lsp.code) == fix.rule then
        diagnostic = {
          range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
          severity = d.severity,
          code = d.code or lsp.code,
          source = d.source,
          message = d.message,
        }
      end
    end
    if diagnostic == nil then error('no ' .. fix.rule .. ' diagnostic in ' .. fix.file, 0) end
    local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, range = diagnostic.range, context = { diagnostics = { diagnostic } } }
    local response, reason = client.request_sync('textDocument/codeAction', params, math.max(deadline - vim.loop.now(), 1), bufnr)
    if response == nil or response.err ~= nil then
      error('textDocument/codeAction failed: ' .. vim.inspect(response and response.err or reason), 0)
    end
    local chosen = nil
    for _, action in ipairs(response.result or {}) do
      if chosen == nil and action.isPreferred and action.edit ~= nil then chosen = action end
    end
    if chosen == nil then error('no preferred code action with an edit for ' .. fix.rule .. ' in ' .. fix.file, 0) end
    vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
    vim.cmd('silent wall')
    table.insert(result.fixes, { file = fix.file, rule = fix.rule, title = chosen.title })
  end

  -- shutdown + exit, as on :qall; the exit code proves the server honours the protocol's shutdown.
  client.stop()
  local stop_deadline = vim.loop.now() + 5000
  if not vim.wait(math.max(stop_deadline - vim.loop.now(), 1), function() return exited ~= nil end, 20) then
    client.stop(true)
    error('the server did not exit within 5 s of shutdown/exit', 0)
  end
  result.serverExit = exited
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  result.error = tostring(err)
end
local written, write_err = pcall(write_result)
if not written then
  io.stderr:write('driver.lua: could not write the result: ' .. tostring(write_err) .. '\n')
end
if ok and written then
  vim.cmd('qall!')
else
  io.stderr:write('driver.lua: ' .. tostring(result.error or write_err) .. '\n')
  vim.cmd('cquit 1')
end
