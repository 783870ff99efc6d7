package urbackup

// actSettings is a=settings&sa=general, cut down to what matters here:
// image backups are off (no_images), file backups run daily.
func (w *world) actSettings(r *request) reply {
	clients := jsonArr{}
	for _, c := range w.byName() {
		clients = append(clients, jsonObj{"group": 0, "id": c.id, "name": c.name, "override": false})
	}
	nav := jsonObj{
		"clients": clients, "disable_change_pw": true, "general": true, "groupmod": true,
		"groups": jsonArr{jsonObj{"id": 0, "name": ""}}, "internet": true, "ldap": true, "mail": true, "users": true,
	}
	sa := r.form.Get("sa")
	if sa == "clientsettings" {
		return w.actClientSettings(r, nav)
	}
	if sa != "general" {
		return jsonReply(jsonObj{"navitems": nav})
	}
	v := func(x any) jsonObj { return jsonObj{"value": x} }
	settings := jsonObj{
		"backup_window_full_file":     v("1-7/0-24"),
		"backup_window_incr_file":     v("1-7/0-24"),
		"backupfolder":                "/mnt/bkpdata-hdd",
		"cleanup_window":              "1-7/3-4",
		"max_file_full":               v(10),
		"max_file_incr":               v(100),
		"max_image_full":              v(5),
		"max_image_incr":              v(30),
		"max_running_jobs_per_client": v(1),
		"max_sim_backups":             100,
		"min_file_full":               v(2),
		"min_file_incr":               v(40),
		"min_image_full":              v(2),
		"min_image_incr":              v(4),
		"no_file_backups":             false,
		"no_images":                   true,
		"update_freq_full":            v("2592000"),
		"update_freq_image_full":      v("5184000"),
		"update_freq_image_incr":      v("604800"),
		"update_freq_incr":            v("86400"),
	}
	return jsonReply(jsonObj{
		"ONLY_WIN32_BEGIN": "<!--", "ONLY_WIN32_END": "-->", "cowraw_available": false,
		"navitems": nav, "sa": "general", "settings": settings,
	})
}
