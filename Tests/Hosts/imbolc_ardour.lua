-- Ardour, headless (ardour7-lua), hosting Imbolc: run by imbolc_ardour_test.py, once per step.
--
--   create DIR NAME FORMAT BPM [PRESET END WAV]
--                      a new session on JACK at 48 kHz with its tempo at BPM and a MIDI track with
--                      Imbolc (FORMAT LV2 or VST3) as its instrument, saved; with PRESET, the preset
--                      of that label is first loaded into Imbolc (the Imbolc session) and samples
--                      [0, END) are exported to DIR/out/WAV.wav (32-bit float)
--   reopen DIR NAME END WAV
--                      the saved session opened again (Ardour restores the plugin's state from it),
--                      [0, END) exported to DIR/out/WAV.wav, the plugin's state saved as the user
--                      preset "Imbolc after reopen", the session saved again
--
-- Every failure is an error() with one sentence (ardour7-lua then exits non-zero); the last line
-- printed on success is "IMBOLC-ARDOUR-OK <step>".

local step = arg[1]

local function check (ok, sentence)
	if not ok then error (sentence, 0) end
end

local function start_jack ()
	-- The JACK backend connects to the server named by JACK_DEFAULT_SERVER (libjack reads it), as the
	-- client named by IMBOLC_ARDOUR_CLIENT: JACK puts a client's socket at /dev/shm/jack_<client>_<uid>_0
	-- whatever its server, so two Ardours named "ardour" on two tests' servers would take each other's.
	local client = os.getenv ("IMBOLC_ARDOUR_CLIENT")
	check (client ~= nil and client ~= "", "IMBOLC_ARDOUR_CLIENT (Ardour's JACK client name) is not set")
	check (AudioEngine:set_backend ("JACK", client, ""), "Ardour could not select its JACK backend")
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

-- Imbolc's two outputs into the master's two inputs. Ardour connects an instrument track's outputs to the
-- master when it adds the track, but headless under load it sometimes did not (the saved session had no
-- connection and the export was silent while the plugin played), so the create step makes sure and the
-- reopen step checks that the saved connection came back.
local function master_connected (route, connect)
	local out, master = route:output (), Session:master_out ():input ()
	for i = 0, 1 do
		local p, m = out:audio (i), master:audio (i)
		check (not p:isnil () and not m:isnil (), "Imbolc's track or the master has no audio port " .. (i + 1))
		if connect and not p:connected_to (m:name ()) then
			check (out:connect (p, m:name (), nil) == 0, "Ardour could not connect " .. p:name () .. " to " .. m:name ())
		end
		check (p:connected_to (m:name ()), p:name () .. " is not connected to " .. m:name ())
	end
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
	local route, insert = imbolc_insert ()
	master_connected (route, true)

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
	local route, insert = imbolc_insert ()
	print ("plugin", insert:plugin (0):name (), insert:plugin (0):unique_id ())
	master_connected (route, false)
	export (dir .. "/out", wav, last)
	-- What the plugin itself now returns as its state (getStateInformation, through Ardour's preset
	-- writer), beside what Ardour saves in the session below.
	local record = insert:plugin (0):save_preset ("Imbolc after reopen")
	check (record ~= nil and record.valid and record.uri ~= "", "Ardour could not save Imbolc's state as a preset after reopening")
	print ("preset-saved", record.uri)
	save ()
	print ("IMBOLC-ARDOUR-OK reopen")
else
	error ("imbolc_ardour.lua: unknown step '" .. tostring (step) .. "'", 0)
end

close_session ()
