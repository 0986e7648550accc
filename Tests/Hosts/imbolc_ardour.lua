-- Ardour, headless (ardour7-lua), hosting Imbolc: run by imbolc_ardour_test.py, once per step.
--
--   create DIR NAME FORMAT BPM [PRESET END WAV]
--                      a new session on JACK at 48 kHz with its tempo at BPM and a MIDI track with
--                      Imbolc (FORMAT LV2 or VST3) as its instrument, saved; with PRESET, the preset
--                      of that label is first loaded into Imbolc (the Imbolc session) and samples
--                      [0, END) are exported to DIR/out/WAV.wav (32-bit float)
--   reopen DIR NAME END WAV
--                      the saved session opened again (Ardour restores the plugin's state from it),
--                      [0, END) exported to DIR/out/WAV.wav, saved again
--
-- Every failure is an error() with one sentence (ardour7-lua then exits non-zero); the last line
-- printed on success is "IMBOLC-ARDOUR-OK <step>".

local step = arg[1]

local function check (ok, sentence)
	if not ok then error (sentence, 0) end
end

local function start_jack ()
	-- The JACK backend connects to the server named by JACK_DEFAULT_SERVER (libjack reads it).
	check (AudioEngine:set_backend ("JACK", "", ""), "Ardour could not select its JACK backend")
end

local function imbolc_insert ()
	for r in Session:get_routes ():iter () do
		local proc = r:nth_plugin (0)
		if not proc:isnil () and proc:display_name () == "Imbolc" then
			return r, proc:to_insert ()
		end
	end
	error ("the session has no track with Imbolc on it", 0)
end

local function export (wav_dir, wav_name, last)
	local ex = Session:simple_export ()
	-- imbolc-test.preset (in this Ardour's config dir): BWAV 32-bit float at the session rate, no
	-- dither, no normalizing.
	check (ex:set_preset ("6d4e3b1a-6d2f-4f0e-9d43-1e6b0c3f5a71"), "Ardour has no imbolc-test export preset")
	ex:set_folder (wav_dir)
	ex:set_name (wav_name)
	ex:set_range (0, last)
	check (ex:check_outputs (), "Ardour's export has no master outputs to export")
	check (ex:run_export (), "Ardour's export failed")
	print ("exported", wav_dir .. "/" .. wav_name .. ".wav", "samples 0 to " .. last)
end

local function save ()
	check (Session:save_state ("", false, false, false, false, false) == 0, "Ardour could not save the session")
	print ("saved", Session:path (), Session:name ())
end

if step == "create" then
	local dir, name, format, bpm, preset, last, wav = arg[2], arg[3], arg[4], tonumber (arg[5]), arg[6], tonumber (arg[7]), arg[8]
	start_jack ()
	check (create_session (dir, name, 48000), "Ardour could not create a session at " .. dir .. " on JACK")
	check (Session:nominal_sample_rate () == 48000, "the session runs at " .. Session:nominal_sample_rate () .. " Hz, not 48000")

	local tm = Temporal.TempoMap.fetch_writable ()
	tm:set_tempo (Temporal.Tempo (bpm, bpm, 4), Temporal.timepos_t (0))
	Temporal.TempoMap.update (tm)
	local qpm = Temporal.TempoMap.read ():quarters_per_minute_at (Temporal.timepos_t (0))
	check (math.abs (qpm - bpm) < 1e-6, "Ardour's tempo is " .. qpm .. " after setting it to " .. bpm)
	print ("tempo", qpm)

	local ptype = ARDOUR.PluginType.LV2
	if format == "VST3" then ptype = ARDOUR.PluginType.VST3 end
	local info = ARDOUR.LuaAPI.new_plugin_info ("Imbolc", ptype)
	check (not info:isnil (), "Ardour does not know an " .. format .. " plugin named Imbolc (not scanned, or not on its path)")
	print ("plugin", info.name, ARDOUR.PluginType.name (info.type), info.unique_id, info.path)

	local tracks = Session:new_midi_track (ARDOUR.ChanCount (ARDOUR.DataType ("midi"), 1), ARDOUR.ChanCount (ARDOUR.DataType ("audio"), 2),
		true, info, nil, nil, 1, "Imbolc", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true)
	check (tracks:size () == 1, "Ardour did not add a MIDI track with Imbolc")
	local _, insert = imbolc_insert ()

	if preset then
		local plugin = insert:plugin (0)
		local record = plugin:preset_by_label (preset)
		check (record ~= nil, "Ardour finds no Imbolc preset labelled '" .. preset .. "'")
		print ("preset", record.uri, record.label)
		check (plugin:load_preset (record), "Ardour could not load the preset '" .. preset .. "' into Imbolc")
		export (dir .. "/out", wav, last)
	end
	save ()
	print ("IMBOLC-ARDOUR-OK create")
elseif step == "reopen" then
	local dir, name, last, wav = arg[2], arg[3], tonumber (arg[4]), arg[5]
	start_jack ()
	check (load_session (dir, name), "Ardour could not open the saved session " .. dir)
	local _, insert = imbolc_insert ()
	print ("plugin", insert:plugin (0):name (), insert:plugin (0):unique_id ())
	export (dir .. "/out", wav, last)
	save ()
	print ("IMBOLC-ARDOUR-OK reopen")
else
	error ("imbolc_ardour.lua: unknown step '" .. tostring (step) .. "'", 0)
end

close_session ()
